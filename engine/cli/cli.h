#ifndef SM_CLI_CLI_H
#define SM_CLI_CLI_H

/* Dispatches `smogd CMD ...`; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
