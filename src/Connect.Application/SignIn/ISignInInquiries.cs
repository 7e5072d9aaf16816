using Connect.Domain.Accounts;

namespace Connect.Application.SignIn;

/// <summary>Where an inquiry stands, as the sign-in page tells it.</summary>
public enum InquiryState
{
    Pending,
    Expired,
    Realized,
    Redeemed,
}

/// <summary>What the page shows of one inquiry.</summary>
/// <param name="ApplicationName">The application's display name (its anchor when it has none).</param>
/// <param name="SignUpOpen">Whether a person without an account may create one here.</param>
public sealed record InquiryPage(string ApplicationName, bool SignUpOpen, InquiryState State);

/// <summary>A realized inquiry: where the browser goes next, when the application asked for a callback.</summary>
public sealed record RealizedInquiry(Uri? CallbackUrl);

/// <summary>
/// The inquiries as the page needs them, read and realized by the inquiry use cases (DescribeInquiry,
/// RealizeInquiry): the page never reads or writes an inquiry itself.
/// </summary>
public interface ISignInInquiries
{
    /// <summary>The inquiry this exposure key names, or <c>null</c> when none does.</summary>
    Task<InquiryPage?> DescribeAsync(string exposureKey, CancellationToken cancellationToken);

    /// <summary>Binds the inquiry to <paramref name="account"/>; <paramref name="how"/> is audited (passkey, enrollment).</summary>
    Task<SignInOutcome<RealizedInquiry>> RealizeAsync(
        string exposureKey, AccountId account, string how, CancellationToken cancellationToken);
}
