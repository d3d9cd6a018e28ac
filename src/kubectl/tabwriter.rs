//! Go text/tabwriter, as kubectl configures it.
