"""Personal data in free text: finding it and masking it (the review inbox, agent suggestions)."""
