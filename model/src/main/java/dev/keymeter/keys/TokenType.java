package dev.keymeter.keys;

/**
 * The keymeter token prefixes (design §6): the three of API keys, chosen by key kind and owner, then
 * the two credentials that are not API keys and never pass Check: a sidecar's credential for the
 * control plane ({@code kmc_}) and an ingest token for the usage ports ({@code kmi_}).
 */
public enum TokenType {
    ADMIN("kma_"),
    USER("kmu_"),
    SERVICE_ACCOUNT("kms_"),
    SIDECAR("kmc_"),
    INGEST("kmi_");

    private final String prefix;

    TokenType(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** Admin keys get {@code kma_}, sidecar credentials {@code kmc_}; project keys {@code kmu_} or {@code kms_} by owner. */
    public static TokenType of(KeyKind kind, OwnerType owner) {
        if (kind == KeyKind.ADMIN) {
            return ADMIN;
        }
        if (kind == KeyKind.SIDECAR) {
            return SIDECAR;
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
