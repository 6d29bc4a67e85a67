/** The environment variable holding the API token (its own module so the CLI can name it without loading the server). */
export const TOKEN_ENV = 'BASIS_API_TOKEN';
