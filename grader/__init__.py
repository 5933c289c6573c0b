"""regquiz: auto-graded exercises on the mathematics of neural-network regularization."""
