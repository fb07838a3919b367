"""Report runs, PDFs, dashboards and exports."""
