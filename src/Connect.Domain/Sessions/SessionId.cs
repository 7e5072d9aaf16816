namespace Connect.Domain.Sessions;

/// <summary>
/// The opaque id of one session (the <c>sid</c> of its tokens): at least 128 random bits, never a row id or an
/// account id.
/// </summary>
public readonly record struct SessionId(string Value)
{
    public const int MaxLength = 128;

    public override string ToString() => Value;
}
