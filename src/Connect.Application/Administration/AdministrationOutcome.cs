namespace Connect.Application.Administration;

/// <summary>
/// Either a value or the <see cref="AdministrationError"/> that stopped an administrative command. A separate
/// type from <see cref="Outcome{T}"/> on purpose: the compiler then keeps operator failures out of the HTTP error
/// mapper and contract reasons out of the CLI, at the cost of thirty lines that look alike.
/// </summary>
public readonly struct AdministrationOutcome<T> : IFailable<AdministrationOutcome<T>>
{
    private AdministrationOutcome(T? value, AdministrationError? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public AdministrationError? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static AdministrationOutcome<T> Success(T value) => new(value, null);

    public static AdministrationOutcome<T> Failed(AdministrationError failure) => new(default, failure);

    /// <summary>A rejected command tells the operator which argument is wrong.</summary>
    public static AdministrationOutcome<T> Rejected(string detail) => Failed(AdministrationError.InvalidArgument(detail));

#pragma warning disable CA2225 // the named factories above are the alternates
    public static implicit operator AdministrationOutcome<T>(T value) => Success(value);

    public static implicit operator AdministrationOutcome<T>(AdministrationError failure) => Failed(failure);
#pragma warning restore CA2225

    public override string ToString() => Succeeded ? $"Success({Value})" : $"Failed({Failure})";
}
