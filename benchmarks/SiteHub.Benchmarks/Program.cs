using BenchmarkDotNet.Running;
using SiteHub.Benchmarks;

// Run: dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- --filter '*' --job short
//  or: dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- outbox [devices] [punches] [batch]
//  or: dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- hub-store [gateways] [punches] [batch]
//  or: dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- hub-ingest [gateways] [punches] [batch] [in-flight] [people] [influx|no-influx] [warm-up punches]
if (args is ["outbox", ..])
{
    return await OutboxThroughput.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200_000,
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1);
}

if (args is ["hub-store", ..])
{
    return await HubStoreThroughput.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200_000,
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 500);
}

if (args is ["hub-ingest", ..])
{
    int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    return await HubIngestThroughput.RunAsync(Arg(1, 4), Arg(2, 400_000), Arg(3, 500), Arg(4, 4), Arg(5, 5000), influx: args.Length <= 6 || args[6] != "no-influx", warmup: Arg(7, 0));
}

BenchmarkSwitcher.FromAssembly(typeof(CodecBenchmarks).Assembly).Run(args);
return 0;
