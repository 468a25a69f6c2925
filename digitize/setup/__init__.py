"""Setting a desk up and checking it: `digitize init` and `digitize doctor`."""
