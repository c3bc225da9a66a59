"""The networks and the one training loop that fits them."""
