/** The program's name in help, usage and error lines: the way the README runs the CLI. */
export const CLI_NAME = 'npm run cli --';
