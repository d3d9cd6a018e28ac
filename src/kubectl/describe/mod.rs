//! kubectl describe layouts.
