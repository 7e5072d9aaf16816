namespace Connect.Domain.Applications;

/// <summary>The internal id of a registered application; never on the wire.</summary>
public readonly record struct AppId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>The identity-isolation boundary: within a sector an account has exactly one subject.</summary>
public readonly record struct SectorId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>
/// The permanent, public name of an application; the <c>iss</c> of its client JWTs.
/// Matched exactly: no case folding, no trimming.
/// </summary>
public readonly record struct ApplicationAnchor(string Value)
{
    public const int MaxLength = 255;

    public override string ToString() => Value;
}

/// <summary>The server-assigned id of one client-auth public key (an RFC 7638 JWK thumbprint).</summary>
public readonly record struct KeyId(string Value)
{
    public override string ToString() => Value;
}
