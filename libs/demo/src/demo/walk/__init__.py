"""A sample of the year's reviews walked through every stage by the people whose part each
stage is: ``plan`` chooses the reviews and how far each goes, ``content`` (with ``areas``,
``themes``, ``self_evaluation`` and ``workshop``) what each records, ``walker`` the requests."""
