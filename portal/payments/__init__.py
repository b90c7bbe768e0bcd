"""Payment runs: approved claims -> one transfer per provider per run."""
