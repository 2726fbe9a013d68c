"""``GET /v1/reviews/{id}``: the review, and with ``include=findings,evidence`` its findings and
evidence in the same response, read with the review's visibility decided once."""
