"""Local HTTP stand-ins for the Graph API, Vertex AI and Google Sheets, for tests and offline runs."""
