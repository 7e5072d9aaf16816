namespace Connect.Domain.Outcomes;

/// <summary>
/// Lets generic code (the validation behaviour) build the failed form of a result type for a request its
/// validators rejected, without knowing what the type carries on success. Each result type says what a rejected
/// request is in its own vocabulary: the HTTP contract answers <see cref="ReasonCode.InvalidBody"/> and withholds
/// the detail; an administrative result shows it to the operator.
/// </summary>
public interface IFailable<out TSelf>
{
    /// <param name="detail">The first validation message, in plain English.</param>
    static abstract TSelf Rejected(string detail);
}

/// <summary>Either a value or the reason it could not be produced. Expected failures are results, not exceptions.</summary>
public readonly struct Outcome<T> : IFailable<Outcome<T>>
{
    private Outcome(T? value, ReasonCode? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public ReasonCode? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static Outcome<T> Success(T value) => new(value, null);

    public static Outcome<T> Failed(ReasonCode reason) => new(default, reason);

    /// <summary>The contract's answer to a rejected request: <c>InvalidBody</c>, never the validator's detail.</summary>
    public static Outcome<T> Rejected(string detail) => Failed(ReasonCode.InvalidBody);

#pragma warning disable CA2225 // the named factories above are the alternates
    public static implicit operator Outcome<T>(T value) => Success(value);

    public static implicit operator Outcome<T>(ReasonCode reason) => Failed(reason);
#pragma warning restore CA2225

    public override string ToString() => Succeeded ? $"Success({Value})" : $"Failed({Failure})";
}
