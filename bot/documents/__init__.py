"""Documents: the SKP (DOCX and PDF), the e-Kinerja field sheet (XLSX and CSV) and the unit
progress report (XLSX), built from the database and rendered from templates."""
