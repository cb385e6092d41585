/** Injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('app:config');
