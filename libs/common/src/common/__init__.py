"""Technical kit shared by the services. No domain words live here."""
