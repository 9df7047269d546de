"""Award entries (prize candidate files): the validated model and the file formats that carry it."""
