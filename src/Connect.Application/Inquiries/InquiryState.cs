namespace Connect.Application.Inquiries;

/// <summary>Where an inquiry stands, as the sign-in page explains it.</summary>
public enum InquiryState
{
    /// <summary>Open: waiting for a person to sign in.</summary>
    Pending,

    /// <summary>No inquiry has this exposure key (or its application is gone).</summary>
    Unknown,

    Expired,

    /// <summary>A person signed in; the application has not redeemed it yet.</summary>
    Realized,

    Redeemed,
}

public static class InquiryStates
{
    /// <summary>The one judgement of an inquiry's state: redeemed before realized before expired.</summary>
    public static InquiryState Of(StoredInquiry? inquiry, DateTimeOffset now) => inquiry switch
    {
        null or { Application: null } => InquiryState.Unknown,
        { RedeemedAt: not null } => InquiryState.Redeemed,
        _ when inquiry.ExpiresAt <= now => InquiryState.Expired,
        { RealizedBy: not null } => InquiryState.Realized,
        _ => InquiryState.Pending,
    };
}
