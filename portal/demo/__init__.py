"""The deterministic demo data set (`portal seed-demo`)."""
