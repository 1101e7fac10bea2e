"""Documents ocilink renders for people: the purchase order PDF (:mod:`.pdf`)."""
