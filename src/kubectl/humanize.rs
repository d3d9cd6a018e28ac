//! HumanDuration and translateTimestampSince.
