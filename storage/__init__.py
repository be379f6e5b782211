"""Where articles live: backends of the crawler's Store protocol (storage.base), chosen by the database
URL's scheme through the STORE_BACKENDS setting: storage.sqlite (a file path) and storage.postgres
(postgresql://...)."""
