namespace Connect.Application.Signals;

/// <summary>
/// The two forms of a signal (docs/contract/signals.md "The two forms") as one pure component: an OpenID Connect
/// Back-Channel Logout 1.0 logout token, or a CAEP <c>session-revoked</c> Security Event Token (RFC 8417, subject
/// per RFC 9493). Both are signed by the application's token-signing key through the one JWS writer, with the
/// session tokens' issuer; each call is a new token (fresh <c>jti</c>, <c>iat</c> now), so a retry never trips a
/// receiver's replay check. The clock is injected.
/// </summary>
public sealed class SignalTokenMinter(TimeProvider clock, SessionTokenCodec sessionTokens)
{
    /// <summary>Back-Channel Logout 1.0 §2.4 (and RFC 8725 §3.11 explicit typing).</summary>
    public const string LogoutTokenType = "logout+jwt";

    /// <summary>RFC 8417 §2.3.</summary>
    public const string SecurityEventTokenType = "secevent+jwt";

    public const string BackchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    public const string SessionRevokedEvent = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    /// <summary>A logout token's <c>exp</c> is its <c>iat</c> plus this (docs/contract/signals.md).</summary>
    public const int LogoutTokenLifetimeSeconds = 120;

    /// <summary>The <c>iss</c> of every signal: the session tokens' issuer.</summary>
    public string Issuer { get; } = sessionTokens?.Issuer ?? throw new ArgumentNullException(nameof(sessionTokens));

    /// <summary>The latest time a token minted now can still be accepted, so its key must stay published until then.</summary>
    public DateTimeOffset LatestExpiry => clock.GetUtcNow().AddSeconds(LogoutTokenLifetimeSeconds);

    /// <summary>A new token for one attempt at <paramref name="signal"/>, in its receiver's form.</summary>
    public string Mint(DueSignal signal, TokenSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(key);
        return signal.Format switch
        {
            SignalFormat.BackchannelLogout => MintLogoutToken(signal, key),
            SignalFormat.Caep => MintSessionRevoked(signal, key),
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal.Format, "Unknown signal format."),
        };
    }

    // Back-Channel Logout 1.0 §2.4: iss, aud, iat, exp, jti, events, sub and/or sid; a nonce is forbidden.
    private string MintLogoutToken(DueSignal signal, TokenSigningKey key)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return CompactJws.SignRs256(LogoutTokenType, key.KeyId, key.PrivateKey, writer =>
        {
            writer.WriteString("iss"u8, Issuer);
            writer.WriteString("aud"u8, signal.Audience);
            writer.WriteNumber("iat"u8, now);
            writer.WriteNumber("exp"u8, now + LogoutTokenLifetimeSeconds);
            writer.WriteString("jti"u8, SessionTokenCodec.NewOpaqueId());
            writer.WriteStartObject("events"u8);
            writer.WriteStartObject(BackchannelLogoutEvent);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("sub"u8, signal.Subject);
            if (signal.SessionId is { } sid)
            {
                writer.WriteString("sid"u8, sid);
            }
        });
    }

    // RFC 8417 §2.2 and the CAEP session-revoked event: the subject in sub_id (RFC 9493), never in sub.
    private string MintSessionRevoked(DueSignal signal, TokenSigningKey key)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return CompactJws.SignRs256(SecurityEventTokenType, key.KeyId, key.PrivateKey, writer =>
        {
            writer.WriteString("iss"u8, Issuer);
            writer.WriteString("aud"u8, signal.Audience);
            writer.WriteNumber("iat"u8, now);
            writer.WriteString("jti"u8, SessionTokenCodec.NewOpaqueId());
            writer.WriteStartObject("sub_id"u8);
            if (signal.SessionId is { } sid)
            {
                writer.WriteString("format"u8, "complex");
                WriteOpaque(writer, "user", signal.Subject);
                WriteOpaque(writer, "session", sid);
            }
            else
            {
                writer.WriteString("format"u8, "opaque");
                writer.WriteString("id"u8, signal.Subject);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("events"u8);
            writer.WriteStartObject(SessionRevokedEvent);
            writer.WriteNumber("event_timestamp"u8, signal.EndedAt.ToUnixTimeSeconds());
            writer.WriteString("initiating_entity"u8, SignalNames.Of(signal.InitiatingEntity));
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static void WriteOpaque(System.Text.Json.Utf8JsonWriter writer, string name, string id)
    {
        writer.WriteStartObject(name);
        writer.WriteString("format"u8, "opaque");
        writer.WriteString("id"u8, id);
        writer.WriteEndObject();
    }
}
