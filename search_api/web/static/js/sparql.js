/* The SPARQL editor: YASGUI (vendored) on this service's endpoint only; examples one click away; downloads. */
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("exemples-data").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  var status = document.getElementById("sparql-status");
  var defaultQuery = examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  // Only local completions: the prefix and LOV autocompleters call services outside this one.
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    populateFromUrl: false,
    persistenceId: null,
    autofocus: false,
    yasqe: { value: defaultQuery, autocompleters: ["variables"], persistenceId: null },
    yasr: { persistenceId: null }
  });
  function tab() { return yasgui.getTab(); }
  function setStatus(text) { status.textContent = text; }
  tab().getYasqe().setValue(defaultQuery);
  tab().getYasr().on("drawn", function () {
    document.getElementById("yasgui").setAttribute("data-results", "true");
  });
  function run() {
    setStatus("Requête en cours…");
    tab().getYasqe().query().then(function () { setStatus("Résultats affichés."); },
      function () { setStatus("La requête a échoué."); });
  }
  document.getElementById("run").addEventListener("click", run);
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () {
      var ex = examples[Number(button.getAttribute("data-example"))];
      tab().getYasqe().setValue(ex.query);
      run();
    });
  });
  function download(accept, extension) {
    var query = tab().getYasqe().getValue();
    setStatus("Préparation du téléchargement…");
    fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/sparql-query", "Accept": accept }, body: query })
      .then(function (r) {
        if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
        return r.blob();
      })
      .then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "resultats." + extension;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setStatus("Téléchargement prêt : resultats." + extension);
      })
      .catch(function (e) { setStatus("Échec : " + e.message); });
  }
  document.getElementById("dl-csv").addEventListener("click", function () { download("text/csv", "csv"); });
  document.getElementById("dl-json").addEventListener("click", function () {
    download("application/sparql-results+json", "json");
  });
})();
