package dev.fermata.samples.billing;

import java.time.LocalDate;
import java.util.List;

/** The input of {@code A_GenerateInvoice}: the run's date and every charge's outcome. */
public record InvoiceRequest(LocalDate billingDate, List<PaymentResponse> payments) {}
