"""Smart cards: the CPS (health professional card) through PKCS#11, and the readers."""
