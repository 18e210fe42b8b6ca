"""Exercise checks for the lessons: one module per lesson (l01 ... l07); each looks at what the learner made."""  # noqa: E501
