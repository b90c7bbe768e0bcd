"""The care provider's portal: their agreements, hour sheets and payment status."""
