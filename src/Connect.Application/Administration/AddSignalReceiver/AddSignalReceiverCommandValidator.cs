namespace Connect.Application.Administration.AddSignalReceiver;

/// <summary>The arguments' form; whether the URL may receive signals is the handler's call (<c>ReceiverUrlPolicy</c>).</summary>
public sealed class AddSignalReceiverCommandValidator : AbstractValidator<AddSignalReceiverCommand>
{
    public AddSignalReceiverCommandValidator()
    {
        RuleFor(command => command.Anchor).ValidAnchor();
        RuleFor(command => command.Format)
            .Must(format => SignalNames.TryParseFormat(format, out _))
            .WithMessage($"the format must be {SignalNames.BackchannelLogout} or {SignalNames.Caep}");
        RuleFor(command => command.Url).NotNull().WithMessage("the receiver URL must not be empty");

        // The aud a receiver matches exactly, so no invisible characters either.
        RuleFor(command => command.Audience!)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("the audience must not be empty")
            .MaximumLength(AddSignalReceiverCommand.MaxAudienceLength)
            .WithMessage($"the audience must be at most {AddSignalReceiverCommand.MaxAudienceLength} characters")
            .Must(AdministrationRules.IsPrintable).WithMessage("the audience must not contain control characters")
            .Must(audience => !char.IsWhiteSpace(audience[0]) && !char.IsWhiteSpace(audience[^1]))
            .WithMessage("the audience must not begin or end with whitespace")
            .When(command => command.Audience is not null);
    }
}
