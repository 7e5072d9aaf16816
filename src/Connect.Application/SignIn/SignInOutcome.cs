namespace Connect.Application.SignIn;

/// <summary>
/// Why the sign-in page could not go on. These are the page's own states, shown to a person in words (the Api's
/// SignInPage turns each into a sentence); they are not the contract's <see cref="ReasonCode"/>s, which answer
/// applications, and none of them says whether an account exists.
/// </summary>
public enum SignInFailure
{
    /// <summary>The page's request was malformed (a validator refused it).</summary>
    BadRequest,
    InquiryNotFound,
    InquiryExpired,
    InquiryRealized,
    InquiryRedeemed,
    SignUpClosed,

    /// <summary>The ceremony's challenge was used, expired, or belongs to another inquiry: start again.</summary>
    AttemptExpired,

    /// <summary>The passkey did not verify, is not known here, or its counter went backwards.</summary>
    PasskeyRefused,

    /// <summary>The application asked for someone else (a SECTOR_SUBJECT constraint this person does not meet).</summary>
    NotAllowed,

    /// <summary>The account or the application cannot sign in now (disabled, deleted).</summary>
    Unavailable,

    /// <summary>The enrollment link is unknown, used or expired.</summary>
    LinkUnavailable,
}

/// <summary>Either the page's next step or the <see cref="SignInFailure"/> that stops it.</summary>
public readonly struct SignInOutcome<T> : IFailable<SignInOutcome<T>>
{
    private SignInOutcome(T? value, SignInFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public SignInFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static SignInOutcome<T> Success(T value) => new(value, null);

    public static SignInOutcome<T> Failed(SignInFailure failure) => new(default, failure);

    /// <summary>A malformed page request says nothing more than that.</summary>
    public static SignInOutcome<T> Rejected(string detail) => Failed(SignInFailure.BadRequest);

#pragma warning disable CA2225 // the named factories above are the alternates
    public static implicit operator SignInOutcome<T>(T value) => Success(value);

    public static implicit operator SignInOutcome<T>(SignInFailure failure) => Failed(failure);
#pragma warning restore CA2225

    public override string ToString() => Succeeded ? $"Success({Value})" : $"Failed({Failure})";
}
