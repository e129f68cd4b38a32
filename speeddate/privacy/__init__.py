"""Privacy: a partner downloads or erases their data; retention anonymises people inactive for years."""
