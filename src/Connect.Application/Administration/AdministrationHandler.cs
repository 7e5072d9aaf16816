namespace Connect.Application.Administration;

/// <summary>An administrative command's handler: its answer is a <typeparamref name="TResult"/> or the operator's error.</summary>
public abstract class AdministrationHandler<TCommand, TResult> : UseCaseHandler<TCommand, AdministrationOutcome<TResult>>
    where TCommand : MediatR.IRequest<AdministrationOutcome<TResult>>;
