namespace Connect.Domain.Accounts;

/// <summary>The internal user. Its id never leaves the system.</summary>
public readonly record struct AccountId(Guid Value)
{
    public override string ToString() => Value.ToString();
}

/// <summary>
/// The opaque, unguessable identifier of one account inside one sector: the <c>sub</c> an application sees.
/// </summary>
public readonly record struct SectorSubject(string Value)
{
    public const int MaxLength = 255;

    public override string ToString() => Value;
}
