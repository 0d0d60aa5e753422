package dev.keymeter.keys;

/** The three keymeter token prefixes (design §6), chosen by key kind and owner. */
public enum TokenType {
    ADMIN("kma_"),
    USER("kmu_"),
    SERVICE_ACCOUNT("kms_");

    private final String prefix;

    TokenType(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** Admin keys get {@code kma_}; project keys {@code kmu_} or {@code kms_} by owner. */
    public static TokenType of(KeyKind kind, OwnerType owner) {
        if (kind == KeyKind.ADMIN) {
            return ADMIN;
        }
        return owner == OwnerType.USER ? USER : SERVICE_ACCOUNT;
    }

    /** The type whose prefix starts {@code token}, or {@code null}. */
    public static TokenType ofToken(String token) {
        for (TokenType t : values()) {
            if (token.startsWith(t.prefix)) {
                return t;
            }
        }
        return null;
    }
}
