namespace Connect.Application.StatusPoll;

public sealed class StatusPollQueryValidator : AbstractValidator<StatusPollQuery>
{
    public StatusPollQueryValidator()
    {
        RuleFor(query => query.ExposureKey).ValidInquiryKey();
        RuleFor(query => query.HiddenKey).ValidInquiryKey();
    }
}
