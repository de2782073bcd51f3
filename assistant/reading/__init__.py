"""Reading a message once: spelling, assertions (negated, whose, when,
asked about) and the findings every stage consumes."""
