namespace SiteHub.Protocols.Punches;

/// <summary>
/// The one exception a codec throws: the payload cannot be read, and <see cref="Field"/> says
/// where (a JSON path such as <c>punches[3].time</c>, or <c>$</c> for the whole payload).
/// </summary>
public sealed class PayloadDecodeException : Exception
{
    public PayloadDecodeException(string field, string reason)
        : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    public PayloadDecodeException()
        : this("$", "cannot be decoded")
    {
    }

    public PayloadDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "$";
        Reason = message;
    }

    /// <summary>Where in the payload the problem is.</summary>
    public string Field { get; } = "$";

    /// <summary>What is wrong there.</summary>
    public string Reason { get; } = "";
}
