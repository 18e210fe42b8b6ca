"""Exercise checks for the lessons: one module per lesson (l01 ... l07).

Each check looks at what the learner made, never at a constant."""
