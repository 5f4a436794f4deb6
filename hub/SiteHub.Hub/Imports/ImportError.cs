using System.Globalization;

namespace SiteHub.Hub.Imports;

/// <summary>A row that was not imported: where it is and why. Never carries an ID or account number.</summary>
/// <param name="File">The file as it was named to the import.</param>
/// <param name="Line">1-based line where the row starts (the header is line 1).</param>
/// <param name="Column">The column at fault (its canonical name), or <c>null</c> for the whole row.</param>
/// <param name="Reason">What is wrong.</param>
public sealed record ImportError(string File, long Line, string? Column, string Reason)
{
    public override string ToString() => Column is null
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Reason}")
        : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Column}: {Reason}");
}

/// <summary>A file that cannot be imported at all: unreadable, undecodable, or without the columns it needs.</summary>
public sealed class CsvFileException : Exception
{
    public CsvFileException(string file, string message)
        : base($"{file}: {message}")
    {
        File = file;
    }

    public CsvFileException()
    {
        File = "";
    }

    public CsvFileException(string message)
        : base(message)
    {
        File = "";
    }

    public CsvFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "";
    }

    /// <summary>The file.</summary>
    public string File { get; }
}
