"""What planning makes of a person: the repairs their unavailable dates need, and their
conflicts of interest."""
