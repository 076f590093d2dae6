"""A case in a person's hands: agents, taking, releasing and transferring cases, and the case card."""
