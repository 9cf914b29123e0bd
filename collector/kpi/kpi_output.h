// KPI rows as text: KPI.md's CSV column contract, or JSON with the same keys.
#ifndef COLLECTOR_KPI_KPI_OUTPUT_H_
#define COLLECTOR_KPI_KPI_OUTPUT_H_

#include <ostream>
#include <vector>

#include "collector/kpi/kpi_job.h"

namespace telemetry::collector::kpi {

// The header line of KPI.md's output contract.
extern const char kKpiCsvHeader[];

// NULL is an empty CSV field / JSON null; ratios and percentiles carry 10 significant digits.
void WriteKpisCsv(const std::vector<KpiRow>& rows, std::ostream& out);
void WriteKpisJson(const std::vector<KpiRow>& rows, std::ostream& out);
void WriteSegmentsCsv(const std::string& column, const std::vector<SegmentRow>& rows,
                      std::ostream& out);
void WriteSegmentsJson(const std::string& column, const std::vector<SegmentRow>& rows,
                       std::ostream& out);

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_KPI_OUTPUT_H_
