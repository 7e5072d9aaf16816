namespace Connect.Domain.Signals;

/// <summary>The server-assigned id of one of an application's signal receivers (<c>receiverId</c> on the wire).</summary>
public readonly record struct ReceiverId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>The form a receiver's signals take (docs/contract/signals.md "The two forms").</summary>
public enum SignalFormat
{
    /// <summary>An OpenID Connect Back-Channel Logout 1.0 logout token, posted as a form (<c>backchannel-logout</c>).</summary>
    BackchannelLogout,

    /// <summary>A CAEP <c>session-revoked</c> Security Event Token pushed per RFC 8935 (<c>caep</c>).</summary>
    Caep,
}

/// <summary>Who ended the sessions a signal is about: CAEP's <c>initiating_entity</c>.</summary>
public enum InitiatingEntity
{
    /// <summary>The application (<c>/revoke-all</c>) or an operator (account delete or disable).</summary>
    Admin,

    /// <summary>The session's holder (<c>/logout</c>).</summary>
    User,

    /// <summary>Connect's own rules (reuse detected, a lost rotation race).</summary>
    Policy,
}

/// <summary>The wire and stored names of the signal enumerations.</summary>
public static class SignalNames
{
    public const string BackchannelLogout = "backchannel-logout";
    public const string Caep = "caep";

    public static string Of(SignalFormat format) => format switch
    {
        SignalFormat.BackchannelLogout => BackchannelLogout,
        SignalFormat.Caep => Caep,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static bool TryParseFormat(string? name, out SignalFormat format)
    {
        switch (name)
        {
            case BackchannelLogout:
                format = SignalFormat.BackchannelLogout;
                return true;
            case Caep:
                format = SignalFormat.Caep;
                return true;
            default:
                format = default;
                return false;
        }
    }

    public static string Of(InitiatingEntity entity) => entity switch
    {
        InitiatingEntity.Admin => "admin",
        InitiatingEntity.User => "user",
        InitiatingEntity.Policy => "policy",
        _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, null),
    };

    public static InitiatingEntity ParseInitiatingEntity(string name) => name switch
    {
        "admin" => InitiatingEntity.Admin,
        "user" => InitiatingEntity.User,
        "policy" => InitiatingEntity.Policy,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
