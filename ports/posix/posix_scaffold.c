/* Scaffold so the host port library has a source until the real port lands. */
int sdb_posix_scaffold;
