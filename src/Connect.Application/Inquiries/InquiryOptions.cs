namespace Connect.Application.Inquiries;

/// <summary>How long an inquiry lives and how often it may be polled (docs/contract/sign-in.md).</summary>
public sealed class InquiryOptions
{
    public const string SectionName = "Connect:Inquiries";

    public const int DefaultLifetimeMinutes = 10;

    public const int MinLifetimeMinutes = 1;

    public const int MaxLifetimeMinutes = 30;

    /// <summary>Polls past this many answer InquiryExpired: a client that polls without end stops getting answers.</summary>
    public const int MaxPolls = 600;

    public int LifetimeMinutes { get; set; } = DefaultLifetimeMinutes;
}
