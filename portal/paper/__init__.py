"""The paper route: every document as an accessible PDF, and the monthly paper run."""
